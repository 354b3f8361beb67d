// Placeholder while the mock CRM lands (issue 5).
int main() { return 0; }
