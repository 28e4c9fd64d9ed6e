package dev.gateway.bench;

/**
 * One message of a ham/spam corpus, as it is sent over SMTP: its group (the corpus's folder, such as
 * {@code easy-ham-1}), its file name, whether the corpus calls it spam, the envelope sender taken from its
 * {@code Return-Path}, and its bytes with CRLF line ends (not yet dot-stuffed).
 */
record CorpusMessage(String group, String name, boolean spam, String sender, byte[] content) {

    String kind() {
        return spam ? "spam" : "ham";
    }
}
