"""The legal adviser's pages: the queue of drafts awaiting legality review and the review page."""
