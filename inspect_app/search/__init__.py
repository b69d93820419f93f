"""Search as you type for filters that can name thousands of things (projects, deputies)."""
