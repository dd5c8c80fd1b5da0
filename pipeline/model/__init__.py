"""Model configuration, weights (numpy), checkpoint io, and the torch module used for training.

Only `transformer.py`, `train.py` and `evaluate.py` import torch; everything else here is numpy.
"""
