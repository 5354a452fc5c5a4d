"""The decision dossier (决策档案) downloads: one decision's package and a year's archive."""
