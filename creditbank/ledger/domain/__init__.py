"""The ledger's pure rules: credit amounts, double-entry postings, the canonical entry form."""
