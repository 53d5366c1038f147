package dev.polymux.connector.engine;

import java.util.List;

/** The arguments cannot make a request (missing path value, line break in a header value...). Never echoes values. */
class ToolArgumentsException extends RuntimeException {

    private final transient List<String> problems;

    ToolArgumentsException(String message, List<String> problems) {
        super(message, null, false, false);
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }
}
