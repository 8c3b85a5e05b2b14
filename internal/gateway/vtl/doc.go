// Package vtl evaluates Velocity Template Language as API Gateway's mapping
// templates use it: references ($x, ${x}, $!x, properties, method calls,
// [index]), #set, #if/#elseif/#else, #foreach ($foreach.*, $velocityCount),
// #break, #stop, comments, string literals with interpolation, arithmetic,
// comparisons, list, range and map literals; and API Gateway's $input and
// $util (apigw.go) with the JSONPath subset of $input.path/json
// (jsonpath.go). Values follow Java's: toString of maps "{k=v}", lists
// "[a, b]", doubles "1.0".
//
// It is written for nubo (no maintained Go implementation of Velocity
// exists): small, and bounded: Options.MaxOutput and MaxSteps stop a
// template that runs away, and parsing nests at most 64 deep. Not
// supported: #macro, #define, #parse, #include, #evaluate (a parse error),
// Java reflection beyond the String, Number, List and Map methods of
// methods.go, and regular expressions beyond Go's RE2.
package vtl
