"""Monthly availability reports to ANS: the SLO package's figures laid out as PDF/CSV/JSON,
signed and archived.
"""
