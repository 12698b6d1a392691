#ifndef MATHX_H
#define MATHX_H
int gcd(int a, int b);
#endif
