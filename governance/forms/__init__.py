"""Forms of the review UI: they parse what people type; the services decide."""

from governance.forms.card import CardForm
from governance.forms.promotion import PromotionForm

__all__ = ["CardForm", "PromotionForm"]
