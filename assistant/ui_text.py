"""Interface text of the web app, Danish (default) and English side by side."""

LABELS = {
    "da": {
        "lang": "da",
        "title": "# Strategiassistenten\nSpørg om den fælleskommunale digitaliseringsstrategi "
                 "2016-2020 og høringssvarene. Svarene citerer dokumenterne med kilde.",
        "chat": "Samtale", "question": "Dit spørgsmål",
        "placeholder": "F.eks. Hvad siger Aalborg om sikkerhed?",
        "send": "Spørg", "clear": "Ny samtale", "examples": "Eksempler",
        "filters": "Filtre", "org_filter": "Organisation / kommune", "type_filter": "Dokumenttype",
        "sources": "Kilder til seneste svar", "no_sources": "Ingen kilder endnu.",
        "closest_only": "Dokumenterne nævner ikke emnet. Her er de afsnit, der ligner spørgsmålet "
                        "mest; de er ikke et svar.",
        "context": "Vis i sammenhæng", "originals": "Originale dokumenter",
        "export": "Svaret som Markdown (kopiér til mødenotat)", "download": "Hent svar (.md)",
        "upload_tab": "Tilføj dokumenter", "upload": "Vælg filer (PDF, DOCX, TXT, MD, HTML)",
        "upload_btn": "Upload og indeksér", "index_tab": "Indeks",
        "resolved": "Tolket som", "uploaded": "Indekseret", "refused": "Ikke indekseret",
        "documents": "dokumenter", "chunks": "afsnit", "embedder": "Sprogmodel",
        "built": "Bygget", "organisation": "Organisation", "type": "Type",
        "none_uploaded": "Vælg først en eller flere filer.", "note": "Bemærk",
        "comparison": "Sammenligning af organisationerne", "statement": "Udsagn",
        "download_docx": "Hent notat (.docx)",
        "theme": "Tema", "theme_filter": "Strategiens temaer",
        "themes_tab": "Temaer × organisationer",
        "themes_help": "Antal afsnit pr. tema og organisation. Klik på et tal for at se afsnittene.",
        "themes_csv": "Hent oversigten (.csv)",
        "renamed": "{old} findes allerede under uploads; den nye fil er gemt som {new}. Erstatter "
                   "den den gamle, så slet den gamle i dokumentmappen og opdatér indekset.",
        "refresh_btn": "Opdatér fra dokumentmappen",
        "refresh_help": "Filer lagt i dokumentmappen, ændret eller slettet dér, kommer med i "
                        "indekset, når du opdaterer.",
    },
    "en": {
        "lang": "en",
        "title": "# The strategy assistant\nAsk about the joint-municipal digitalisation strategy "
                 "2016-2020 and the hearing responses. Answers quote the documents with sources.",
        "chat": "Conversation", "question": "Your question",
        "placeholder": "E.g. What does Aalborg say about security?",
        "send": "Ask", "clear": "New conversation", "examples": "Examples",
        "filters": "Filters", "org_filter": "Organisation / municipality", "type_filter": "Document type",
        "sources": "Sources of the latest answer", "no_sources": "No sources yet.",
        "closest_only": "The documents do not mention the topic. These are the passages closest "
                        "to the question; they are not an answer.",
        "context": "Show in context", "originals": "Original documents",
        "export": "The answer as Markdown (copy into a meeting note)", "download": "Download answer (.md)",
        "upload_tab": "Add documents", "upload": "Choose files (PDF, DOCX, TXT, MD, HTML)",
        "upload_btn": "Upload and index", "index_tab": "Index",
        "resolved": "Read as", "uploaded": "Indexed", "refused": "Not indexed",
        "documents": "documents", "chunks": "chunks", "embedder": "Embedding model",
        "built": "Built", "organisation": "Organisation", "type": "Type",
        "none_uploaded": "Choose one or more files first.", "note": "Note",
        "comparison": "The organisations compared", "statement": "Statement",
        "download_docx": "Download note (.docx)",
        "theme": "Theme", "theme_filter": "The strategy's themes",
        "themes_tab": "Themes × organisations",
        "themes_help": "Passages per theme and organisation. Click a number to see the passages.",
        "themes_csv": "Download the overview (.csv)",
        "renamed": "{old} already exists under uploads; the new file was saved as {new}. If it "
                   "replaces the old one, delete the old one in the documents folder and update "
                   "the index.",
        "refresh_btn": "Update from the documents folder",
        "refresh_help": "Files put into the documents folder, changed or deleted there, reach "
                        "the index when you update.",
    },
}

EXAMPLES = [
    "Hvad siger Aalborg om sikkerhed?",
    "What does Aalborg say about security?",
    "Hvad er fristen for at sende høringssvar til KL?",
    "Hvad besluttede Økonomiudvalget i Slagelse?",
    "Who is the chairman of KL?",
    "Hvad siger kommunerne om sikkerhed?",
    "Which municipalities mention welfare technology?",
    "Hvornår skal Fredensborgs digitaliserings- og kanalstrategi ajourføres?",
    "Giv mig et overblik over Aalborgs høringssvar",
    "Hvad er indstillingen i Aalborg?",
    "What did the municipalities decide?",
]
