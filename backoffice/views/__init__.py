"""Thin views: parse input, call one selector or service, render inside admin's look."""
