# CSV preferred (q=1 by default), JSON acceptable (lower q), HTML refused (q=0).
accept_header = "text/csv, application/json;q=0.5, text/html;q=0"
