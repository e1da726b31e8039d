"""X/Y/Z plots: one job per combination of up to three settings' values, then a labelled grid."""
