package dev.polymux.connector.schema;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Regular expressions that manifests bring (tool input schemas' {@code pattern} and {@code patternProperties}, vault
 * shapes' {@code pattern}). They run on RE2/J, which matches in time linear in the input, so no pattern can hold a
 * thread the way a backtracking engine can ({@code (.*a){20}$} takes the JDK minutes on 31 characters). RE2/J has no
 * backreferences and no lookaround; such a pattern is refused at publish time.
 * <p>
 * Linear, but in the compiled program's size too: matching costs about its size times the input's length, and counted
 * repetitions multiply it ({@code ((a{1000}){1000}){1000}} does not fit in any heap). So the size is estimated from the
 * text before compiling (nothing large is ever built) and checked exactly after. At the limit a 16 KiB value takes
 * about a tenth of a second.
 */
public final class ManifestPatterns {

    /** The longest pattern a manifest may bring. */
    public static final int MAX_PATTERN_LENGTH = 1000;
    /** Instructions of a compiled pattern ({@code ^rk_(live|test)_[A-Za-z0-9]+$} has 21, {@code [a-z0-9]{1,62}} about 130). */
    public static final int MAX_PROGRAM_SIZE = 1000;

    /** A pattern a manifest may not use; the message names the rule, not the pattern. */
    public static final class UnsafePatternException extends IllegalArgumentException {
        public UnsafePatternException(String message) {
            super(message);
        }
    }

    private ManifestPatterns() {
    }

    /** Compiles a manifest's pattern, or throws {@link UnsafePatternException} saying why it cannot be used. */
    public static Pattern compile(String regex) {
        if (regex.length() > MAX_PATTERN_LENGTH) {
            throw new UnsafePatternException("is longer than " + MAX_PATTERN_LENGTH + " characters");
        }
        if (estimatedSize(regex) > 2L * MAX_PROGRAM_SIZE) {
            throw tooComplex();
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(unicodeEscapes(regex));
        } catch (PatternSyntaxException e) {
            throw new UnsafePatternException("is not a regular expression Polymux runs (RE2 syntax: no backreferences, no lookaround): "
                    + e.getDescription());
        }
        if (pattern.programSize() > MAX_PROGRAM_SIZE) {
            throw tooComplex();
        }
        return pattern;
    }

    /**
     * {@code \\uXXXX} (ECMA-262 and java.util.regex, common in JSON Schema patterns) as RE2's {@code \\x{XXXX}}; every
     * other escape is left alone, an escaped backslash included.
     */
    static String unicodeEscapes(String regex) {
        if (!regex.contains("\\u")) {
            return regex;
        }
        StringBuilder out = new StringBuilder(regex.length());
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                if (regex.charAt(i + 1) == 'u' && i + 6 <= regex.length() && regex.substring(i + 2, i + 6).matches("[0-9a-fA-F]{4}")) {
                    out.append("\\x{").append(regex, i + 2, i + 6).append('}');
                    i += 5;
                } else {
                    out.append(c).append(regex.charAt(i + 1));
                    i++;
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static UnsafePatternException tooComplex() {
        return new UnsafePatternException("is too complex: with its repetitions expanded it exceeds " + MAX_PROGRAM_SIZE
                + " steps (use fewer or smaller counted repetitions, {n,m})");
    }

    /** Why {@code regex} cannot be used, or empty when it can. */
    public static Optional<String> problem(String regex) {
        try {
            compile(regex);
            return Optional.empty();
        } catch (UnsafePatternException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * About how many instructions the compiled pattern has, read from the text without compiling it: every atom counts
     * one, a group the sum of its content, and {@code {n,m}} multiplies what it repeats by m ({@code (ab){3}c} is 7).
     * Unbalanced or odd syntax is left to the compiler, which refuses it.
     */
    static long estimatedSize(String regex) {
        final long ceiling = 1L << 40; // far above any limit, far below overflow
        Deque<long[]> groups = new ArrayDeque<>(); // per open group: {size so far, size of its last atom}
        groups.push(new long[] {0, 0});
        int i = 0;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            long[] current = groups.peek();
            if (c == '(') {
                groups.push(new long[] {0, 0});
                i++;
                continue;
            }
            if (c == ')') {
                if (groups.size() > 1) {
                    long inner = Math.max(groups.pop()[0], 1);
                    long[] parent = groups.peek();
                    parent[0] = Math.min(parent[0] + inner, ceiling);
                    parent[1] = inner;
                }
                i++;
                continue;
            }
            if (c == '{') {
                int close = regex.indexOf('}', i);
                long count = close < 0 ? -1 : count(regex.substring(i + 1, close));
                if (count >= 0) {
                    // The atom is there once already; repeating it adds (count - 1) more copies.
                    long extra = current[1] * Math.max(count - 1, 0);
                    current[0] = Math.min(current[0] + extra, ceiling);
                    current[1] = Math.min(current[1] * Math.max(count, 1), ceiling);
                    i = close + 1;
                    continue;
                }
            }
            if (c == '\\') {
                i += 2;
            } else if (c == '[') {
                i = endOfClass(regex, i);
            } else {
                i++;
            }
            current[0] = Math.min(current[0] + 1, ceiling);
            current[1] = 1;
        }
        long size = 0;
        for (long[] group : groups) {
            size = Math.min(size + group[0], ceiling);
        }
        return size;
    }

    /** {@code n}, {@code n,} or {@code n,m}: the larger bound (n+1 for open ranges); -1 when not a repetition. */
    private static long count(String body) {
        if (!body.matches("[0-9]{1,9}(,[0-9]{0,9})?")) {
            return -1;
        }
        String[] parts = body.split(",", -1);
        long low = Long.parseLong(parts[0]);
        if (parts.length == 1) {
            return low;
        }
        return parts[1].isEmpty() ? low + 1 : Math.max(low, Long.parseLong(parts[1]));
    }

    private static int endOfClass(String regex, int open) {
        int i = open + 1;
        if (i < regex.length() && regex.charAt(i) == '^') {
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            i++;
        }
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '[' && i + 1 < regex.length() && regex.charAt(i + 1) == ':') {
                int close = regex.indexOf(":]", i + 2);
                i = close < 0 ? i + 1 : close + 2;
            } else if (c == ']') {
                return i + 1;
            } else {
                i++;
            }
        }
        return i;
    }
}
