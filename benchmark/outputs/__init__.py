"""Writers for the run's outputs: CSV and Parquet tables, the Excel workbook and summary.html.

Everything is written into a temporary folder first and moved into place only when complete
(:mod:`benchmark.outputs.atomic`), so a failed run never leaves half-written outputs.
"""
