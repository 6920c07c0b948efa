package org.purposefirewall.registry;

/** The registry cannot parse the schema. Registry error code 42201. */
public class InvalidSchemaException extends SchemaRegistryException {

    public static final int ERROR_CODE = 42201;

    public InvalidSchemaException(String message) {
        super(ERROR_CODE, message);
    }
}
