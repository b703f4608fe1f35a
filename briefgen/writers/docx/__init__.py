"""The Word writer: document building (writer), WordprocessingML (wml), the package (opc)."""
