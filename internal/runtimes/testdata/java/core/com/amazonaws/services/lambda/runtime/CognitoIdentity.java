package com.amazonaws.services.lambda.runtime;

/** Test stand-in for aws-lambda-java-core's CognitoIdentity. */
public interface CognitoIdentity {
    String getIdentityId();

    String getIdentityPoolId();
}
