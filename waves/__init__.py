"""Migration waves: SAMU moved onto another platform in planned nights — the plan (CSV/YAML,
strict), its history (appended, audited), its night as a maintenance window, and each SAMU's
figures before vs after with a confidence interval and a verdict per figure.
"""
