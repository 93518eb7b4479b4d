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
        "context": "Vis i sammenhæng", "originals": "Originale dokumenter",
        "export": "Svaret som Markdown (kopiér til mødenotat)", "download": "Hent svar (.md)",
        "upload_tab": "Tilføj dokumenter", "upload": "Vælg filer (PDF, DOCX, TXT, MD, HTML)",
        "upload_btn": "Upload og indeksér", "index_tab": "Indeks",
        "resolved": "Tolket som", "uploaded": "Indekseret", "refused": "Ikke indekseret",
        "documents": "dokumenter", "chunks": "afsnit", "embedder": "Sprogmodel",
        "built": "Bygget", "organisation": "Organisation", "type": "Type",
        "none_uploaded": "Vælg først en eller flere filer.",
        "comparison": "Sammenligning af organisationerne", "statement": "Udsagn",
        "download_docx": "Hent notat (.docx)",
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
        "context": "Show in context", "originals": "Original documents",
        "export": "The answer as Markdown (copy into a meeting note)", "download": "Download answer (.md)",
        "upload_tab": "Add documents", "upload": "Choose files (PDF, DOCX, TXT, MD, HTML)",
        "upload_btn": "Upload and index", "index_tab": "Index",
        "resolved": "Read as", "uploaded": "Indexed", "refused": "Not indexed",
        "documents": "documents", "chunks": "chunks", "embedder": "Embedding model",
        "built": "Built", "organisation": "Organisation", "type": "Type",
        "none_uploaded": "Choose one or more files first.",
        "comparison": "The organisations compared", "statement": "Statement",
        "download_docx": "Download note (.docx)",
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
]
