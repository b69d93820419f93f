"""The dashboard leaders read, and the per-department table that presses departments."""
