package io.countersign.client;

/** What one human said about a request. */
public enum VoteChoice {
    APPROVE("approve"),
    DENY("deny");

    private final String wireName;

    VoteChoice(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
