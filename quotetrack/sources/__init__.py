"""Reading articles: finding input files, decoding them, their formats, and the page furniture around the body."""
