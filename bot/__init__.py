"""The answering core of citatbot, and its front ends in rooms of their own.

At the top, the path of a question once retrieval has found the passages:
    pipeline      read → search (retrieval/) → decline or compose; `from_settings` builds it
    decline       the rule that says "the documents do not answer"
    composer      picks the sentences that answer and quotes them verbatim
    asks          who wrote a text, when it was published, "därför": what only the bot reads
                  (a figure, a date, a reason: retrieval/asks.py)
    missing       what the first answer lacks: names, figures, dates, an author
    byline        who wrote a document, quoted from its file
    smalltalk     greetings, thanks and "vad kan du?" answered without a search
    conversation  one state per chat: "mer", "stycke N", "källor", follow-ups
    reload        a new pipeline built and swapped in when the corpus folder changes
    overview      what the folder is about when sources.toml does not say
    commands      the command words, one vocabulary for the REPL, Telegram and `ask`
    answer        the Answer and Quote every front end renders
    sources       where a quote comes from: shared source lines, short titles, links
    render        Answers and messages through the Jinja2 templates of prompts/
    settings      the one settings class; errors: what a user can fix, each with its template

Rooms:
    telegram/     the Telegram bot (wiring, handlers, delivery, limits, buttons, feedback)
    terminal/     the `citatbot` command, the REPL and the progress bar
    evaluation/   `citatbot eval`: gold files, metrics, the plain baseline, the tables
"""
