"""Signature packets: PDFs for officials, their verification page and delivery log.
The only area that imports reportlab."""
