"""Documents generated from a version's records (EU AI Act Art. 11, Annex IV; the model
card). Product guidance, not legal advice.

    exports.py      the one function per output (Markdown, HTML, PDF) that views, the API
                    and the auditor's bundle call
    annex_iv.py     the Annex IV document: points 1-9 in order (annex_iv_general.py for 1
                    and 2, annex_iv_control.py for 3-9, facts.py for shared facts)
    evidence.py     everything read from the database, in a fixed number of queries
    document.py     the document's dataclasses and the MISSING marker
    markdown_text.py, pdf.py, stylesheet.py    renderers and the print stylesheet
"""
