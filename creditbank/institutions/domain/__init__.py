"""The institutions context's pure rules: the unified social credit code (GB 32100-2015) and
the institution code. No Django."""
