"""Convolutional autoencoders (AE and VAE) as plain PyTorch modules."""
