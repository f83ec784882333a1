"""Reading the catalog files people have on disk: layouts, cell spellings, names, and the row builder.

The public entry point is `musicflow.features.catalog_files.read_catalog`.
"""
