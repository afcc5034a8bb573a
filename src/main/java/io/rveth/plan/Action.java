package io.rveth.plan;

/** What a change does to one object, with Terraform's symbols. */
public enum Action {
    CREATE("+", "create"), UPDATE("~", "update in-place"), DELETE("-", "destroy"),
    REPLACE("-/+", "destroy and then create replacement");

    private final String symbol;
    private final String legend;

    Action(String symbol, String legend) {
        this.symbol = symbol;
        this.legend = legend;
    }

    public String symbol() {
        return symbol;
    }

    public String legend() {
        return legend;
    }
}
