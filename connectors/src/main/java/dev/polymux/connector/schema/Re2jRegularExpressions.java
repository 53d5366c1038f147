package dev.polymux.connector.schema;

import com.google.re2j.Pattern;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * networknt's validator with RE2/J instead of {@code java.util.regex}: {@code pattern}, {@code patternProperties} and
 * {@code format: regex} of tool input schemas match in linear time. A pattern that {@link ManifestPatterns} refuses
 * fails the schema's compilation with {@link ManifestPatterns.UnsafePatternException}.
 */
public final class Re2jRegularExpressions implements RegularExpressionFactory {

    public static final Re2jRegularExpressions INSTANCE = new Re2jRegularExpressions();

    private Re2jRegularExpressions() {
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = ManifestPatterns.compile(regex);
        // JSON Schema patterns are not anchored (ECMA-262 semantics): a match anywhere counts.
        return value -> pattern.matcher(value).find();
    }
}
