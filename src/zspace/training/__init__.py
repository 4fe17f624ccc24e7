"""Training: pure losses, safetensors checkpoints, and the Lightning shell around them."""
