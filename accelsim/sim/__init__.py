"""Evaluate a given mapping: lower it, count it (analytic or cycle engine), price it, add the data effects."""
