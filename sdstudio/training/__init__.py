"""Training the demo model: the synthetic world of coloured shapes it learns to draw.

Qt-free and never imported by the app at run time; the trained weights ship with the project.
"""
