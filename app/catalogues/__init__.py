"""The annual catalogue pages (事项目录): list, items, approval, publication, change log, XLSX."""
