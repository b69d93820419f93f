"""Spreadsheets that leave the system and come into it. Pure: no Flask, no database."""
