/**
 * Development keys of the simulator's FCM service account (RSA) and APNs .p8 key (EC P-256): public on purpose, like
 * every simulator credential (it never runs with DEBUG=False), fixed so that a server and a separate worker
 * sign and verify with the same keys. Made once with node:crypto; meaningless anywhere else.
 */
export const SIMULATOR_FCM_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSd4A3qfrmibsw
U1mrpIGrvtINuMxLu2eUAlgXgN/NppeQSw2Wrhpn31ai7XycikflY+LIrib8XzQs
I7Mlpyg5sHAOGRX7JU4hDxXZkJhxERvm0e5OaY+iU2i1HUQ83O5pxnCt6e0tFdjZ
Qj5ATfmi/aY6hEHWkoYvck/3RGiyYvGFtaBQKNsl6soPwqjV2sLZ2wDkbWdLOII/
aj/QwH6D9BxytxbSCX9MTAPeEdDeSHfnPKBZBuGXW/Aud8DdiK90krjzXbC1Rkyh
2h65oO3msJ4syteTcasaM/RcokYbwOcPraBKoY/2pYtNr73AEXXff6rB4ZH0jAUH
JMSPc98NAgMBAAECggEAAwB61vBo+HhO7+/EZ+cTBWbVmqX/3fWoksscxAsNxiJh
54g2g6dsj343P2ApRpdPUrWDws5/FlrqRNXmhHs3nukGFCFl95zO2jhbnKyMDBLN
JdPpNPua9ZsAc5LdCgwxp1cR/N0JCbtVyjWAa0zhamJ5SDziLoQM/2i/PLzgTGkH
vYq6zy58Yydq+NwwGXYYW3dSKMa0Lzxia/IBdbElI3Mo2eUS0ZFc6JoFXp0bomAY
P1XMV3Ux10dt8gzi1TcCRmRcoiyPgvEHAwEVY065wIWQpUoVr4SvMR5DbxFskYPk
hY2lNR++yB42nt23nP36/gzGz7pSQo0tpEr5r1ofqQKBgQDyxbqz2BXyr/9YYZNn
xyz6fBmpNmqqmqI3h6+MFK7rkHmycLM3LOck/FjXILqiFV1K93Gkay3ZJXIk4EZ6
/EbiUW94Ji4/ltctDxcO509E++TXcDT9IPF7G3VNpjSGwt1JQYq67JmukFlNQWjQ
WWhC+0gblOGxUZ3bS7wlzVTxGQKBgQDd7ymXQFQ1CZbIoGD4/RkNbuRLiM1GU3PP
P7nFALZ9fqjSM1UWCbtQzhYZ38kug/pF8lBPdTK2SonyVmLgHAuldAdhPsnJB9RD
PHeA0qFW9llAt5e1clS4tdbOVT5mJpN/1Mzl114+annGwXyLBjunsFA+3Lgge6Wa
XndYw2fYFQKBgB+w1gViAMN0XAXCfwZ+Bo4QIx1moBfzJZfQG4dSr97KNkin040x
TF8Undg/Sn2cAlil4mzPHOYKsFLGAA1P30Tt0npBqandW+ti2+SzJzLfGulQmWot
obgrRm3Dc3nf+Bj2+FAcUJdr+mxOTIteEHEl8iy/i5KlD9Evmrjoi90JAoGAD71u
jbOaRUiw0PnO5tnMdQ9wUYsaQ+qXRBOY8UfjqXLaNk49sppuFoUHPD6K3imuDlfp
Kjl9p0ASGIXX7V0P1mQsQdFaLk/H1hzrvM8zch92pQhgUhYRvCfpXCjfjA8gVuiY
v5ROss6KZHZEhveiM3plto+g32zlidU5UapKKyECgYEAjvzMf2Mtz4BPVpwppxbR
H9FNdcCIqHPIULVp15fuVrfR1Gacth0hTdy6kiCmNX/unTQPWfAP7xkVXuNPgDUF
jKde/ORTzISWV9hyzuzxyrl7Q/mOQyRNDohxASbZL1ofwKy3pPIdWs0yqc5cQTMg
7icaM1wLDVf0rhRVGts22pc=
-----END PRIVATE KEY-----`;

export const SIMULATOR_APNS_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgA8jPhVdHKVLQJZYT
uBj+8x2zNIsgy415mZvw3+2TsfahRANCAAS79+B7EmYPgWqQgacpuC5IMqV9rVF8
veFuvl0Tm728ypGfD520TLcTDunpcmtoaHscPGCl3uGhv41cbx6nZrp4
-----END PRIVATE KEY-----`;
