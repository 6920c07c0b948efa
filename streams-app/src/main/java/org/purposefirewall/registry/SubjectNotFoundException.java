package org.purposefirewall.registry;

/** The subject has no registered versions. Registry error code 40401. */
public class SubjectNotFoundException extends SchemaRegistryException {

    public static final int ERROR_CODE = 40401;

    public SubjectNotFoundException(String message) {
        super(ERROR_CODE, message);
    }

    /** With the registry's own code, e.g. 40402 (version not found). */
    public SubjectNotFoundException(int errorCode, String message) {
        super(errorCode, message);
    }
}
