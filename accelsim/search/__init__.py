"""The mapper and its mapspace: choose the best legal mapping of a layer."""
