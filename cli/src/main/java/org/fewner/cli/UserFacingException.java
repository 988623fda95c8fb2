package org.fewner.cli;

import org.fewner.common.FewNerException;

/**
 * Former CLI-only user error, kept as a thin subclass so that code written against it still
 * compiles.
 *
 * @deprecated throw {@link FewNerException} instead.
 */
@Deprecated
public class UserFacingException extends FewNerException {
    public UserFacingException(String message) {
        super(message);
    }

    public UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
