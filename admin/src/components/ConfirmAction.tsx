/**
 * A staff action that changes something: a button, a confirmation dialog (with a reason to type when asked),
 * then the request; nothing changes on screen until the server has answered (pessimistic, no undo toast).
 * The server's French message is shown; an error keeps the dialog open with the message.
 */
import { useId, useState, type ReactElement, type ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useNotify, useRefresh } from 'react-admin';

export interface ConfirmActionProps {
  label: string;
  title: string;
  content: ReactNode;
  confirmLabel?: string;
  icon?: ReactElement;
  color?: 'primary' | 'error' | 'success' | 'warning' | 'inherit';
  variant?: 'text' | 'outlined' | 'contained';
  disabled?: boolean;
  /** Ask for a reason (kept in the journal, shown to the person concerned when the API says so). */
  reason?: { label: string; minLength: number; helperText?: string };
  /** Ask for a word to be typed (irreversible actions). */
  typed?: string;
  /** More inputs in the dialog (a number of days, a plan…), above the reason; `ready` false keeps Confirm off. */
  children?: ReactNode;
  ready?: boolean;
  /** Does the request; returns the message to show (default: "Fait."). */
  run: (reason: string) => Promise<string | void>;
  onDone?: () => void;
}

export function ConfirmAction(p: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  const titleId = useId();
  const descId = useId();
  const reasonOk = !p.reason || reason.trim().length >= p.reason.minLength;
  const typedOk = !p.typed || typed === p.typed;
  const ready = p.ready ?? true;

  const close = () => {
    if (busy) return;
    setOpen(false);
    setReason('');
    setTyped('');
    setError(null);
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const message = await p.run(reason.trim());
      notify(message || 'Fait.', { type: 'success' });
      setOpen(false);
      setReason('');
      setTyped('');
      refresh();
      p.onDone?.();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button
        size="small"
        color={p.color ?? 'primary'}
        variant={p.variant ?? 'text'}
        startIcon={p.icon}
        disabled={p.disabled}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        {p.label}
      </Button>
      <Dialog open={open} onClose={close} aria-labelledby={titleId} aria-describedby={descId} onClick={(e) => e.stopPropagation()}>
        <DialogTitle id={titleId}>{p.title}</DialogTitle>
        <DialogContent>
          <DialogContentText id={descId} component="div">
            {p.content}
          </DialogContentText>
          {p.children}
          {p.reason && (
            <TextField
              autoFocus
              fullWidth
              multiline
              minRows={3}
              margin="normal"
              label={p.reason.label}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              helperText={p.reason.helperText ?? `${p.reason.minLength} caractères au moins`}
              slotProps={{ htmlInput: { 'aria-required': true } }}
            />
          )}
          {p.typed && (
            <TextField
              fullWidth
              margin="normal"
              label={`Saisissez « ${p.typed} » pour confirmer`}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          )}
          {error && (
            <DialogContentText role="alert" color="error" sx={{ mt: 1 }}>
              {error}
            </DialogContentText>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            Annuler
          </Button>
          <Button
            onClick={confirm}
            disabled={busy || !reasonOk || !typedOk || !ready}
            color={p.color === 'error' ? 'error' : 'primary'}
            variant="contained"
          >
            {busy ? 'Envoi…' : (p.confirmLabel ?? 'Confirmer')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
