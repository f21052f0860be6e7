"""The review UI's URLs (part of the contract, see issue 3). Names: governance:<entity>-<action>."""

app_name = "governance"

urlpatterns: list = []
