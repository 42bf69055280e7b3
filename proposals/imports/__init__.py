"""Bulk intake from Excel: a session's proposals and the deputies' roster.

``table`` turns an uploaded sheet (read by ``accounts.spreadsheet_reader``) into rows named by
their header; ``proposal_import`` and ``deputy_import`` check every row and then write all of
them in one transaction or none; ``kinds`` is the one registry the pages and commands read.
"""
