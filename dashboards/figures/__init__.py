"""Pure figure builders: plain values in, plotly figures out (no I/O, nothing fetched)."""
