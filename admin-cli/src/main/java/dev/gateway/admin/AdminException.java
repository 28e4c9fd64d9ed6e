package dev.gateway.admin;

/** Something the operator must be told, in one line, before the CLI exits with a failure status. */
final class AdminException extends RuntimeException {

    private final int httpStatus;

    AdminException(String message) {
        this(message, 0);
    }

    AdminException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    int httpStatus() {
        return httpStatus;
    }
}
