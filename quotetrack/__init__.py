"""quotetrack: who said what in the news.

Data flows one way, one module per step:
sources -> quotes -> attribution -> speakers -> statements -> store -> Datasette.
"""

__version__ = "0.1.0"
