package org.fewner.cli;

/**
 * An error caused by the user's input; the command line prints its message alone, without a stack
 * trace.
 */
public class UserFacingException extends RuntimeException {
    public UserFacingException(String message) {
        super(message);
    }

    public UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
