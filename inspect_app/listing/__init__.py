"""The lists of visits, problems and suggestions: their filters, what a row loads, and the
search-as-you-type behind the filter fields that can name thousands (projects, deputies)."""
