package main

const version = "!"
