"""Data shipped with the package: paper_seeds.json (the paper's 151 Max-of-4 seeds, with their source)."""
