"""The PDF writer (ReportLab): page building (writer), text runs (text), page-foot notes (notes), markup."""
